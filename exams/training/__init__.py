"""Auxiliary-staff training (培训): courses with materials, required yearly hours,
completion by time on material plus a 结业测验, and the per-unit progress report."""
