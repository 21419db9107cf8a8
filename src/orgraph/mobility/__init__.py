"""Members away (流动党员): the outflow lifecycle and mobile branches (services), and a member's
timeline. The rules and the where-are-they answers live in orgraph.analysis (the Engine)."""
