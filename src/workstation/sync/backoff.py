"""Retry timing: jittered exponential backoff that honours the server's ``Retry-After``.

``delay(attempt)`` draws uniformly from ``[cap_n / 2, cap_n]`` with ``cap_n = min(cap, base ×
factor^(attempt-1))`` (so concurrent workstations spread out but never retry at once), and is
never shorter than the server's ``Retry-After``. A wait longer than ``max_wait`` is not slept
within one run: the operation keeps its place and ``next_attempt_at``, and the next run
retries it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Backoff:
    base: float = 0.5
    factor: float = 2.0
    cap: float = 30.0
    #: Attempts of one request within a run before the run gives up (the work stays queued).
    max_attempts: int = 5
    #: The longest single wait slept within a run.
    max_wait: float = 60.0
    rng: random.Random = field(default_factory=random.Random, compare=False)

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        """Seconds to wait before attempt ``attempt + 1`` (``attempt`` counts from 1)."""
        ceiling = min(self.cap, self.base * self.factor ** max(0, attempt - 1))
        jittered = self.rng.uniform(ceiling / 2, ceiling)
        if retry_after is not None and retry_after > jittered:
            return float(retry_after)
        return jittered

    def gives_up(self, attempt: int, delay: float) -> bool:
        """True when the run should stop retrying (too many attempts, or too long a wait)."""
        return attempt >= self.max_attempts or delay > self.max_wait
