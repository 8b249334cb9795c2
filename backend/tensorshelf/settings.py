"""Every tunable number and default location in one place (no magic numbers elsewhere)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "tensorshelf"

# --- environment variables -------------------------------------------------------------
ENV_HOME = "TENSORSHELF_HOME"
ENV_LIBRARY = "TENSORSHELF_LIBRARY"

# --- file names inside the state dir and the library root ----------------------------------
SETTINGS_FILE = "settings.json"
OPS_DB = "ops.db"
CACHE_DB = "cache.db"
LOGS_DIR = "logs"
MODELS_DB = "models.db"
STAGING_DIR = ".staging"
LIBRARY_SIGNATURE = ".tensorshelf-library"
METADATA_FILE = "metadata.json"
OVERRIDES_FILE = "overrides.json"

# --- I/O ---------------------------------------------------------------------------------
COPY_BUFFER_BYTES = 4 * 1024 * 1024  # >= 1 MiB so the hashers release the GIL
PIPELINE_QUEUE_DEPTH = 8  # buffers in flight between reader and hashers/writer
HEADER_SNIFF_BYTES = 16
PROGRESS_MIN_INTERVAL_S = 0.1  # at most ~10 progress events per second per file
PIPELINE_POLL_S = 0.1  # how often a blocked pipeline stage re-checks cancel/failure
PIPELINE_INLINE_MAX_BYTES = 4 * 1024 * 1024  # files up to this size are hashed without threads

# --- naming --------------------------------------------------------------------------------
DIR_NAME_MAX_CHARS = 80  # library directory components (model_type/family/name)
COLLISION_SUFFIX_HEX = 8  # "-<blake3 prefix>" on directory-name collisions
UNKNOWN_FAMILY = "unknown"
DIR_NAME_MAX_BYTES = 200  # UTF-8 bytes per directory component (filesystems cap at 255)
DIR_NAME_FALLBACK = "model"  # used when a name normalises to nothing

# --- headers -------------------------------------------------------------------------------
SAFETENSORS_MAX_HEADER_BYTES = 100 * 1024 * 1024  # safetensors' own limit
GGUF_MAX_STRING_BYTES = 64 * 1024 * 1024
GGUF_MAX_ARRAY_ITEMS = 16 * 1024 * 1024
GGUF_MAX_KV_COUNT = 1_000_000
GGUF_MAX_TENSOR_COUNT = 10_000_000

# --- SQLite --------------------------------------------------------------------------------
SQLITE_BUSY_TIMEOUT_MS = 30_000
SQLITE_CACHE_KIB = 2_000

# --- web mode ------------------------------------------------------------------------------
WEB_HOST = "127.0.0.1"
WEB_TOKEN_BYTES = 32

# --- desktop window ------------------------------------------------------------------------
WINDOW_DEFAULT_WIDTH = 1280
WINDOW_DEFAULT_HEIGHT = 800
WINDOW_MIN_WIDTH = 900
WINDOW_MIN_HEIGHT = 600

# --- jobs ----------------------------------------------------------------------------------
JOB_EVENT_MIN_INTERVAL_S = 0.1


@dataclass(frozen=True)
class Locations:
    """Where Tensorshelf keeps its state and the (default) library."""

    home: Path
    library: Path

    @property
    def ops_db(self) -> Path:
        return self.home / OPS_DB

    @property
    def cache_db(self) -> Path:
        return self.home / CACHE_DB

    @property
    def settings_file(self) -> Path:
        return self.home / SETTINGS_FILE

    @property
    def logs_dir(self) -> Path:
        return self.home / LOGS_DIR


def resolve_locations(home: str | os.PathLike[str] | None = None,
                      library: str | os.PathLike[str] | None = None) -> Locations:
    """Explicit arguments win, then TENSORSHELF_HOME / TENSORSHELF_LIBRARY, then defaults."""
    home_path = Path(home or os.environ.get(ENV_HOME) or platformdirs.user_data_dir(APP_NAME))
    lib_env = library or os.environ.get(ENV_LIBRARY)
    library_path = Path(lib_env) if lib_env else home_path / "library"
    return Locations(home=home_path.expanduser().absolute(),
                     library=library_path.expanduser().absolute())
