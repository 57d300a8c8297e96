"""Framework-free NLP for penalty decisions (issue #3). Imports no Flask and no DB."""
