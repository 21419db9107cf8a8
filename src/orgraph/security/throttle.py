"""Failed log-ins per client address, in a sliding window (docs/design.md#security, #18).

The per-address half of the log-in defence: an address with `max_failures` refused log-ins in
the last `window` is answered 429 (with Retry-After) before any name or password is looked
at, so one address can neither guess on nor hold many accounts. It lives in this process's
memory: with several API workers each keeps its own window (an address gets `max_failures`
per worker), and a restart forgets it. The per-account back-off, which must hold across
workers, is in the user store (users.py).
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict, deque

from orgraph.errors import ConfigError

# Addresses remembered at most; the least recently failed are forgotten first.
MAX_ADDRESSES = 10_000


class LoginThrottle:
    def __init__(self, max_failures: int, window_seconds: float) -> None:
        if max_failures < 1 or window_seconds <= 0:
            raise ConfigError(
                "登录限流设置 (ORGRAPH_LOGIN_THROTTLE_FAILURES / _MINUTES) 必须为正数"
            )
        self.max_failures = max_failures
        self.window = float(window_seconds)
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def _recent(self, address: str, now: float) -> deque[float] | None:
        times = self._failures.get(address)
        if times is None:
            return None
        while times and times[0] <= now - self.window:
            times.popleft()
        if not times:
            del self._failures[address]
            return None
        return times

    def retry_after(self, address: str | None, *, now: float | None = None) -> int:
        """Whole seconds until `address` may try again; 0 when it may now."""
        moment = time.monotonic() if now is None else now
        with self._lock:
            times = self._recent(address or "", moment)
            if times is None or len(times) < self.max_failures:
                return 0
            # The window slides: the address may try once the failure that filled it ages out.
            oldest = times[-self.max_failures]
            return max(1, math.ceil(oldest + self.window - moment))

    def failed(self, address: str | None, *, now: float | None = None) -> None:
        """Count one refused log-in from `address`."""
        moment = time.monotonic() if now is None else now
        key = address or ""
        with self._lock:
            times = self._recent(key, moment)
            if times is None:
                times = self._failures[key] = deque(maxlen=self.max_failures)
            times.append(moment)
            self._failures.move_to_end(key)
            while len(self._failures) > MAX_ADDRESSES:
                self._failures.popitem(last=False)
