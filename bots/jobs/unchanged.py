"""Which finished requests a run leaves alone, decided for the whole hub at once.

A scheduled run over a large hub mostly finds finished requests whose pages
nobody touched. For each one the journal keeps the revisions of the pages
humans edit (its request page, its mapping pages, a data page it reads) as
they were when it was done (``RequestFacts.done_inputs``, SPEC 7). One
listing of the pages under ``Requests/`` with their current revisions
(:meth:`bots.jobs.context.Job.hub_pages`), one read of every request's facts
from the journal, and one batched read (50 titles a request) of the data
pages that live elsewhere decide them all: a request whose pages are all at
those revisions costs nothing more, neither its source, nor its pages, nor
its lease. Everything else is worked on as before.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bots.jobs.context import Job
from bots.model import RequestFacts


def unchanged_done(job: Job, names: Sequence[str]) -> set[str]:
    """The requests among ``names`` that are done and whose inputs are as they were then."""
    facts = job.store.all_request_facts()
    candidates = {name: inputs for name in names if (inputs := _done_inputs(facts.get(name)))}
    if not candidates:
        return set()
    current = dict(job.hub_pages())
    elsewhere = sorted({title for inputs in candidates.values() for title in inputs} - set(current))
    if elsewhere:
        # data pages (and titles the listing spells otherwise): batched, 50 a request
        current.update(job.wiki.revision_ids(elsewhere))
    return {name for name, inputs in candidates.items() if _same(inputs, current)}


def _done_inputs(facts: RequestFacts | None) -> Mapping[str, int]:
    if facts is None or facts.state != "done" or not facts.done_inputs:
        return {}
    return facts.done_inputs


def _same(inputs: Mapping[str, int], current: Mapping[str, int]) -> bool:
    return all(current.get(title) == revision for title, revision in inputs.items())
