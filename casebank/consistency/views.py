"""Consistency report screens (filled in by the report step)."""

from flask import Blueprint

bp = Blueprint("consistency", __name__, template_folder="templates")
