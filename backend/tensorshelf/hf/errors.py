"""The Hub's refusals, told apart by `X-Error-Code` first (anonymous callers get 401 for a
missing repo and for a gated one alike), each a ShelfError with a stable code and a sentence
naming the repo."""

from __future__ import annotations

from typing import Any

from tensorshelf.errors import ShelfError


class HubError(ShelfError):
    code = "hub_error"


class RepoNotFound(HubError):
    code = "repo_not_found"


class GatedRepo(HubError):
    code = "gated_repo"


class RevisionNotFound(HubError):
    code = "revision_not_found"


class EntryNotFound(HubError):
    code = "entry_not_found"


class BadToken(HubError):
    code = "hub_bad_token"


def hub_error(status: int, headers: Any, body: Any, what: str, authed: bool) -> HubError:
    """The error for a failed Hub response about `what` (a repo, or repo + file)."""
    code = headers.get("x-error-code", "")
    message = headers.get("x-error-message", "") or (
        body.get("error", "") if isinstance(body, dict) else ""
    )
    if isinstance(message, list):
        message = "; ".join(str(m) for m in message)
    if code == "GatedRepo":
        hint = (
            "ask for access on its page on the Hub"
            if authed
            else "set a Hugging Face token in Settings (or HF_TOKEN) that has access"
        )
        return GatedRepo(f"{what} is gated: {hint}", repo=what, status=status)
    if code == "RepoNotFound":
        hint = "" if authed else " (or private: a token with access is needed)"
        return RepoNotFound(f"{what} does not exist on the Hub{hint}", repo=what, status=status)
    if code == "RevisionNotFound":
        return RevisionNotFound(f"{what}: no such revision", repo=what, status=status)
    if code == "EntryNotFound":
        return EntryNotFound(f"{what}: no such file at that revision", repo=what, status=status)
    if status == 401 and "credentials" in str(message).lower():
        return BadToken("the Hugging Face token was refused (invalid credentials)", status=status)
    return HubError(
        f"the Hub answered {status} for {what}: {message or 'no reason'}", status=status
    )
