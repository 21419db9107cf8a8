"""orgraph: grassroots Party organization network and mobile-member tracker."""

__version__ = "0.1.0"
