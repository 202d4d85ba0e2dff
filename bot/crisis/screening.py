"""The async front of the crisis detector: off the event loop, batched, with conversation context.

* The detector's model runs in a worker thread (onnxruntime releases the GIL), one batch at a time: messages
  that arrive while a batch is being scored wait together and go in the next batch (up to ``batch_size``),
  those a hand rule could flag (:meth:`CrisisDetector.may_be_urgent`) ahead of the rest.
* Conversation context: the same author's previous messages in the same channel (at most
  ``context_messages``, none older than ``context_window``) are screened together with the new one, so a
  goodbye split over three short messages is still caught. The result is the higher of the message alone and
  the message with its context; a raise by context adds the category ``"with earlier messages"``. The earlier
  messages already had their own screening, so a risk found there is not alerted twice: the crisis service folds
  later matches into the person's open incident.

Context is kept in memory only, for at most ``context_window``, bounded in size, and never logged.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict, deque
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.crisis.detector import Assessment, CrisisDetector

__all__ = ["CONTEXT_CATEGORY", "Screener", "own_words"]

CONTEXT_CATEGORY = "with earlier messages"


def own_words(text: str) -> str:
    """The text without quoted lines: Discord's ``> line`` quotes and everything after a ``>>>`` block quote.

    A person quoting someone else's message is not saying it themselves; the quote is screened, if at all, as
    the original author's message.
    """
    kept: list[str] = []
    for line in text.splitlines():
        stripped = line.lstrip()
        if stripped.startswith(">>> ") or stripped == ">>>":
            break
        if stripped.startswith("> ") or stripped == ">":
            continue
        kept.append(line)
    return "\n".join(kept).strip()


@dataclass(slots=True)
class _Job:
    texts: list[str]
    future: asyncio.Future[list[Assessment]]
    urgent: bool = False


class Screener:
    __slots__ = ("_context", "_detector", "_max_keys", "_pending", "_worker", "batch_size", "context_messages",
                 "context_window")

    def __init__(
        self,
        detector: CrisisDetector,
        *,
        batch_size: int = 32,
        context_messages: int = 3,
        context_window: timedelta = timedelta(minutes=10),
        max_conversations: int = 10_000,
    ) -> None:
        self._detector = detector
        self.batch_size = batch_size
        self.context_messages = context_messages
        self.context_window = context_window
        self._max_keys = max_conversations
        self._context: OrderedDict[tuple[int, int], deque[tuple[datetime, str]]] = OrderedDict()
        self._pending: deque[_Job] = deque()
        self._worker: asyncio.Task[None] | None = None

    @property
    def detector(self) -> CrisisDetector:
        return self._detector

    async def assess_many(self, texts: Sequence[str]) -> list[Assessment]:
        """Screen texts without context (batched with whatever else is waiting)."""
        if not texts:
            return []
        future: asyncio.Future[list[Assessment]] = asyncio.get_running_loop().create_future()
        urgent = any(self._detector.may_be_urgent(t) for t in texts)
        self._pending.append(_Job(list(texts), future, urgent))
        if self._worker is None or self._worker.done():
            self._worker = asyncio.create_task(self._drain(), name="crisis-screening")
        return await future

    async def assess(self, text: str) -> Assessment:
        return (await self.assess_many([text]))[0]

    async def screen_message(self, text: str, *, author_id: int, channel_id: int, at: datetime) -> Assessment:
        """Screen a chat message with the author's recent messages in that channel as context."""
        key = (channel_id, author_id)
        history = self._context.get(key)
        earlier: list[str] = []
        if history is not None:
            while history and at - history[0][0] > self.context_window:
                history.popleft()
            earlier = [t for _when, t in history]
        texts = [text] if not earlier else [text, "\n".join([*earlier, text])]
        # Remembered before screening: the author's next message may arrive while this one is being scored.
        self._remember(key, at, text)
        results = await self.assess_many(texts)
        alone = results[0]
        if len(results) == 1 or results[1].severity.rank <= alone.severity.rank:
            return alone
        joined = results[1]
        return Assessment(joined.severity, (*joined.categories, CONTEXT_CATEGORY))

    def _remember(self, key: tuple[int, int], at: datetime, text: str) -> None:
        history = self._context.pop(key, None)
        if history is None:
            history = deque(maxlen=self.context_messages - 1 if self.context_messages > 1 else 1)
            if len(self._context) >= self._max_keys:
                self._context.popitem(last=False)
        history.append((at, text))
        self._context[key] = history

    def forget_author(self, author_id: int) -> None:
        """Drop an author's context (their data was deleted)."""
        for key in [k for k in self._context if k[1] == author_id]:
            del self._context[key]

    async def _drain(self) -> None:
        while self._pending:
            if not self._pending[0].urgent and any(job.urgent for job in self._pending):
                # Messages a rule could flag go first: under a burst of ordinary chat a crisis message would
                # otherwise wait for every batch ahead of it.
                self._pending = deque(sorted(self._pending, key=lambda job: not job.urgent))
            jobs: list[_Job] = []
            count = 0
            while self._pending and (not jobs or count + len(self._pending[0].texts) <= self.batch_size):
                job = self._pending.popleft()
                jobs.append(job)
                count += len(job.texts)
            texts = [t for job in jobs for t in job.texts]
            try:
                results = await asyncio.to_thread(self._detector.assess_batch, texts)
            except Exception as exc:  # delivered to every waiting caller, who logs it with an incident code
                for job in jobs:
                    if not job.future.done():
                        job.future.set_exception(exc)
                continue
            offset = 0
            for job in jobs:
                n = len(job.texts)
                if not job.future.done():
                    job.future.set_result(results[offset:offset + n])
                offset += n

    async def close(self) -> None:
        worker, self._worker = self._worker, None
        if worker is not None and not worker.done():
            await asyncio.wait({worker}, timeout=5)
        self._context.clear()
