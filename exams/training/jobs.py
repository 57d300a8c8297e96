"""Periodic training job (run by ``portal.jobs``, which commits)."""

from exams.training.services import sync_pending_completions


def sync_completions():
    """Record course completions due from passed 结业测验 attempts."""
    return sync_pending_completions()
