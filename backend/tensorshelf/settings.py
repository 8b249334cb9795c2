"""Every tunable number and default location in one place (no magic numbers elsewhere)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

APP_NAME = "tensorshelf"

# --- environment variables -------------------------------------------------------------
ENV_HOME = "TENSORSHELF_HOME"
ENV_LIBRARY = "TENSORSHELF_LIBRARY"
# Concurrent import streams per drive (default: 1 on a spinning disk, one per core otherwise)
ENV_IO_STREAMS = "TENSORSHELF_IO_STREAMS"

# --- file names inside the state dir and the library root ----------------------------------
SETTINGS_FILE = "settings.json"
APPS_FILE = "apps.json"  # registered app installs (mapping/apps)
REGISTRY_DB = "registry.db"  # every link Tensorshelf made (mapping/links/registry.py)
MAPPING_DIR = "mapping"  # user mapping configs
LIBRARY_PLACES_FILE = "libraries.json"  # library uuid → where it was last seen
VIEWS_DIR = "views"  # link trees of apps registered with the extra-paths method
COMFYUI_EXTRA_PATHS_FILE = "extra_model_paths.yaml"  # read by ComfyUI from its root
OPS_DB = "ops.db"
CACHE_DB = "cache.db"
LOGS_DIR = "logs"
THUMBNAILS_DIR = "thumbnails"  # <state>/thumbnails/<model id>-<source size>-<mtime>.webp
MODELS_DB = "models.db"
STAGING_DIR = ".staging"
LIBRARY_SIGNATURE = ".tensorshelf-library"
METADATA_FILE = "metadata.json"
OVERRIDES_FILE = "overrides.json"
# One writer at a time (library/writer_lock.py) and what writers changed (library/changes.py)
WRITER_LOCK_FILE = ".tensorshelf-lock"  # flock()ed by the process that writes the library
WRITER_LOCK_RETRY_S = 0.02  # a waiting writer re-tries the lock this often
WRITER_LOCK_HOLDER_REFRESH_S = 1.0  # ... and re-reads who holds it this often (for its message)
GENERATION_FILE = ".tensorshelf-generation"  # bumped after every change (watched by the window)
CHANGE_JOURNAL_FILE = ".tensorshelf-changes"  # JSON lines: which models each generation changed
CHANGE_JOURNAL_MAX_BYTES = 512 * 1024  # larger: the oldest half of the entries is dropped
CHANGE_PUSH_STEP_MS = 50  # the window's watch groups changes arriving this close together
CHANGE_PUSH_DEBOUNCE_MS = 200  # ... for at most this long before pushing library.changed
CHANGE_WATCH_TIMEOUT_MS = 0  # the watch never wakes up on its own (0: no timeout)
CHANGE_WATCH_STOP_S = 2.0  # closing the window waits this long for the watch thread
INDEX_SPACE_RESERVE_BYTES = 8 * 1024 * 1024  # free space kept for metadata.json + models.db + WAL
LEASE_FILE = ".tensorshelf-lease"  # on a shared (network/FUSE) library: the writer's lease
LEASE_TTL_S = 30.0  # a lease not refreshed for this long belongs to a dead host
LEASE_REFRESH_S = 10.0  # the holder rewrites its lease's expiry this often
LEASE_RETRY_S = 0.2  # a writer waiting for another machine's lease re-tries this often
INDEXES_DIR = "indexes"  # <state>/indexes/<library uuid>.db: the index of a shared library
CHANGE_POLL_MS = 1000  # on a shared library the generation file is stat()ed (no inotify there)
INTENTS_DIR = ".tensorshelf-intents"  # journal of multi-step changes (library/intents.py)

# --- I/O ---------------------------------------------------------------------------------
COPY_BUFFER_BYTES = 4 * 1024 * 1024  # >= 1 MiB so the hashers release the GIL
PIPELINE_QUEUE_DEPTH = 8  # buffers in flight between reader and hashers/writer
HEADER_SNIFF_BYTES = 16
PROGRESS_MIN_INTERVAL_S = 0.1  # at most ~10 progress events per second per file
PIPELINE_POLL_S = 0.1  # how often a blocked pipeline stage re-checks cancel/failure
PIPELINE_INLINE_MAX_BYTES = 4 * 1024 * 1024  # files up to this size are hashed without threads
COPY_DIRECT_IO = True  # write copies with O_DIRECT where supported (no page-cache copy)
DIRECT_IO_ALIGN_BYTES = 4096  # O_DIRECT length/offset/address alignment (covers 512e and 4Kn)

GIT_SHA1_MAX_BYTES = 10 * 1024 * 1024  # files this small also get their git blob SHA-1
# (the Hub lists only that for files not stored in LFS: configs, tokenizers, small weights)

# --- naming --------------------------------------------------------------------------------
DIR_NAME_MAX_CHARS = 80  # library directory components (model_type/family/name)
# File endings of model weights (an import's weight files; the only files whose first bytes
# an error message may show)
# Caps on what a user writes into metadata.json (edits), and on a metadata.json's size
USER_TEXT_MAX_CHARS = 100_000  # notes
USER_NAME_MAX_CHARS = 500  # name, family, subtype, one tag
USER_TAGS_MAX = 200
METADATA_MAX_BYTES = 4 * 1024 * 1024  # larger: refused unread as corrupt
MODEL_FILE_SUFFIXES = (".safetensors", ".sft", ".gguf", ".ckpt", ".pt", ".pth", ".bin", ".onnx")
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
# switching a new database to WAL is retried this often (doubling, up to the cap) until the
# busy timeout: SQLite's busy handler does not wait for it
SQLITE_WAL_RETRY_FIRST_S = 0.005
SQLITE_WAL_RETRY_MAX_S = 0.2

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
JOB_CANCEL_WAIT_S = 5.0  # cancel() waits at most this long for the job to wind down
JOB_LIST_LIMIT = 500  # newest jobs returned by list_jobs
HISTORY_LIMIT = 200  # newest import batches `history` lists
SHORT_BATCH_CHARS = 8  # the end of an import batch's id `history` prints (random bits)
UNDO_PARTIAL_SUFFIX = ".tensorshelf-undo"  # a moved file being copied back (renamed when whole)
STATS_LARGEST = 10  # largest models the statistics list
IMPORT_PLAN_RETENTION_S = 7 * 24 * 3600  # reviewed plans no unfinished job uses are kept this long
JOB_PID_START_TOLERANCE_S = 1.0  # a pid whose start time differs by more was reused
JOB_VERIFY_PAGE_SIZE = 10_000  # models listed per page when verifying the whole library
EVENT_QUEUE_MAX = 1_000  # per SSE client; the oldest event is dropped when full


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

    @property
    def thumbnails_dir(self) -> Path:
        return self.home / THUMBNAILS_DIR


def _platform_data_dir() -> str:
    import platformdirs  # only when no home is given (the CLI's start-up stays light)

    return platformdirs.user_data_dir(APP_NAME)


def resolve_locations(
    home: str | os.PathLike[str] | None = None, library: str | os.PathLike[str] | None = None
) -> Locations:
    """Explicit arguments win, then TENSORSHELF_HOME / TENSORSHELF_LIBRARY, then defaults."""
    home_path = Path(home or os.environ.get(ENV_HOME) or _platform_data_dir())
    lib_env = library or os.environ.get(ENV_LIBRARY)
    library_path = Path(lib_env) if lib_env else home_path / "library"
    return Locations(
        home=home_path.expanduser().absolute(), library=library_path.expanduser().absolute()
    )


# --- index (models.db) and search ------------------------------------------------------------
SQLITE_MMAP_BYTES = 256 * 1024 * 1024
INDEX_CHECKPOINT_EVERY_MODELS = 5  # importer: TRUNCATE checkpoint after every Nth model of a batch
INDEX_BULK_CHUNK_ROWS = 2_000  # rows per executemany batch in rebuild / scan
# scan trusts a model dir's recorded stat (and skips listing it) only once its mtime is this old:
# a change within the same timestamp tick (2 s on FAT) would otherwise go unseen
SCAN_DIR_SETTLE_NS = 3_000_000_000
# the sidebar's size and "added" choices (ListQuery.size / .added): inclusive byte ranges
# (None: open-ended) and days back from today
SIZE_PRESETS: dict[str, tuple[int | None, int | None]] = {
    "small": (None, 500 * 1024**2 - 1),
    "medium": (500 * 1024**2, 4 * 1024**3 - 1),
    "large": (4 * 1024**3, 16 * 1024**3 - 1),
    "huge": (16 * 1024**3, None),
}
ADDED_PRESET_DAYS: dict[str, int] = {"week": 7, "month": 30, "year": 365}
# list pages of a filtered query are cut from its matches sorted once, kept per connection
# while models.db is unchanged: at most this many row ids in all (8 bytes each, ~4 MB)
LIST_CACHE_MAX_ROWS = 500_000
MODEL_REF_MIN_PREFIX = 4  # shortest id prefix accepted as a model ref
SHORT_REF_CHARS = 12  # a short model reference: the id's last group (UUIDv7's random part)
SHORT_REF_MIN_CHARS = 6  # the fewest of those characters accepted as a ref
FTS_PREFIX_INDEX = "1 2 3"  # FTS5 prefix= option: fast 1- to 3-character prefix queries
SEARCH_MAX_TERMS = 32  # user query terms beyond this are ignored
SEARCH_MAX_QUERY_CHARS = 512  # longer search text is cut (a search box, not a document)

# --- web mode (api/web.py) and desktop shell (app.py) --------------------------------------
WEB_SSE_HEARTBEAT_S = 15.0  # SSE comment line sent when no event went out for this long
WEB_SSE_RETRY_MS = 2_000  # EventSource reconnect delay announced to the browser
WEB_MAX_BODY_BYTES = 16 * 1024 * 1024  # largest accepted POST /api/call body
WEB_SHUTDOWN_GRACE_S = 2.0  # open SSE streams are cut after this on SIGINT/SIGTERM
WEB_START_TIMEOUT_S = 10.0  # WebServer.start() waits this long for uvicorn to listen
DESKTOP_EVENT_BATCH_MAX = 200  # events pushed per evaluate_js call
DESKTOP_EVENT_QUEUE_MAX = 10_000  # events waiting for the window; the oldest is dropped
WINDOW_SIZE_SAVE_DELAY_S = 1.0  # a resize is written to settings.json after this quiet time
ENV_UI_DIR = "TENSORSHELF_UI_DIR"  # overrides where the built UI (frontend/dist) is looked for

# --- import (library/grouping.py, importer.py, staging.py, layout.py) ----------------------
LIBRARY_SCHEMA_VERSION = 1  # version written into the .tensorshelf-library signature
STAGING_LOCK_SUFFIX = ".lock"  # .staging/<id>.lock is flock()ed while <id>/ is in use
STAGING_MODEL_SUBDIR = "model"  # .staging/<id>/model/ becomes the published model dir
STAGING_KEEP_MARKER = "KEEP-user-files.txt"  # journal of user files renamed into staging
INDEX_JSON_MAX_BYTES = 64 * 1024 * 1024  # largest *.index.json read while grouping shards
PREVIEW_DATA_URI_MAX_BYTES = 16 * 1024 * 1024  # embedded modelspec.thumbnail written as preview
PREVIEW_SERVE_MAX_BYTES = 8 * 1024 * 1024  # largest preview image get_preview sends to the UI
HF_CARD_IMAGE_MAX_BYTES = 8 * 1024 * 1024  # a matched repo's card image fetched as the preview
SAVED_FILTERS_MAX = 50  # named filters a user can keep in the sidebar
SAVED_FILTER_NAME_MAX = 80
THUMBNAIL_PX = 256  # the grid's thumbnails fit in this square (kept once in the state dir)
THUMBNAIL_QUALITY = 80  # WebP quality of a thumbnail
THUMBNAIL_SOURCE_MAX_BYTES = 64 * 1024 * 1024  # a larger preview gets no thumbnail
THUMBNAILS_PER_CALL = 200  # most thumbnails one get_thumbnails call returns
COLLISION_MAX_ATTEMPTS = 100  # "-<blake3>-N" suffixes tried before giving up on a directory name
FOLDER_WALK_MAX_FILES = 100_000  # files listed under one dropped folder before refusing it

# --- detection (detect/*: header readers and classifiers) ----------------------------------
GGUF_MAX_KEY_BYTES = 64 * 1024  # a GGUF metadata key or tensor name longer than this is hostile
GGUF_MAX_DIMS = 8  # ggml itself uses at most 4
GGUF_MAX_ARRAY_DEPTH = 4  # nested GGUF arrays deeper than this are refused
GGUF_MAX_ALIGNMENT = 1024 * 1024  # general.alignment must be a power of two up to this
GGUF_KEEP_ARRAY_ITEMS = 64  # items of a long GGUF array kept in memory (the rest is skipped)
GGUF_KEEP_STRING_BYTES = 256 * 1024  # longer GGUF string values are cut (e.g. chat templates)
GGUF_MAX_KEPT_BYTES = 64 * 1024 * 1024  # all keys, names and strings a GGUF header may make us hold
DETECT_MAX_TENSORS = 500_000  # tensor infos held for one GGUF header (real files: < 10k)
DETECT_FIRST_READ_BYTES = 64 * 1024  # first GGUF read; most headers without a vocabulary fit
DETECT_READ_CHUNK_BYTES = 256 * 1024  # later reads (GGUF vocabularies, long safetensors headers)
DETECT_MAX_TRIGGER_TAGS = 5  # top ss_tag_frequency tags used when no sidecar names trigger words
PICKLE_MAX_SCAN_BYTES = 64 * 1024 * 1024  # pickle bytes walked (never executed) for tensor names
PICKLE_MAX_OPS = 500_000  # pickle opcodes walked before giving up (~40 MiB worst case)
PICKLE_MAX_CENTRAL_DIR_BYTES = (
    64 * 1024 * 1024
)  # a zip central directory bigger than this is refused
DETECT_MAX_JSON_BYTES = 64 * 1024 * 1024  # config.json / model_index.json / index.json / sidecars
DETECT_MAX_SHARDS = 512  # shard headers read to complete one sharded set
DETECT_MAX_FOLDER_WEIGHT_FILES = (
    64  # weight headers read to describe one diffusers/transformers folder
)
DETECT_EMBEDDING_MAX_VECTORS = 512  # a textual-inversion embedding has at most this many vectors
DETECT_CONF_DECISIVE = 0.97  # the header's tensor names and shapes decide
DETECT_CONF_STRONG = 0.9  # names decide, a shape or a field is missing
DETECT_CONF_SHARD = 0.85  # a complete decoder block pattern, but no embedding/head in the file
DETECT_CONF_METADATA = 0.8  # embedded metadata / config decides, shapes are silent
DETECT_CONF_AMBIGUOUS = 0.6  # the layout is shared by several families; the usual one is chosen
DETECT_CONF_SUBTYPE_ONLY = 0.5  # the role is known, the family is not
DETECT_CONF_NAME = 0.4  # only the file name (tokenised) or a sidecar says so
DETECT_CONF_UNKNOWN = 0.1  # nothing recognised
REBUILD_CACHE_KIB = 64_000  # page cache of the temporary database a deep scan builds

# --- network (network/*: the one HTTP client, breaker, retries, pacing) --------------------
ENV_OFFLINE = "HF_HUB_OFFLINE"  # "1": no request is attempted at all (huggingface_hub's name)
ENV_OFFLINE_ALIASES = ("TRANSFORMERS_OFFLINE",)
ENV_TENSORSHELF_OFFLINE = "TENSORSHELF_OFFLINE"  # set by `--offline` for the process
NET_CONNECT_TIMEOUT_S = 7.0
NET_READ_TIMEOUT_S = 7.0
NET_POOL_CONNECTIONS = 10  # per client, over every host
NET_BREAKER_FAILURES = 3  # consecutive connect errors / timeouts / 5xx open a host's circuit
NET_BREAKER_COOLDOWN_S = 60.0  # ... for this long; then one probe goes through
ENV_BREAKER_COOLDOWN = "TENSORSHELF_BREAKER_COOLDOWN_S"  # overrides it (tests)
NET_STATUS_REPEAT_S = 1.0  # a host's ongoing trouble is told again at most this often
NET_PROBE_MARGIN_S = 0.5  # the window's retry starts this long after a cool-down ends
NET_RETRY_ATTEMPTS = 3  # tries of an idempotent request (connect errors, 502/503/504)
NET_RETRY_BASE_S = 0.5  # backoff: base * 2**n, with full jitter, capped below
NET_RETRY_MAX_S = 8.0
NET_RETRY_STATUSES = (502, 503, 504)
NET_DEFAULT_QUOTA = 500  # requests per window when a host sends no RateLimit-Policy
NET_DEFAULT_WINDOW_S = 300.0  # (the anonymous Hub's api bucket: 500 per 5 minutes)
NET_LOW_REMAINING = 0.10  # below this share of the quota left: half the rate, and say so
NET_MAX_PAUSE_S = 600.0  # a 429 never pauses a host for longer than this

# --- Hugging Face (hf/*) ------------------------------------------------------------------
HF_DEFAULT_ENDPOINT = "https://huggingface.co"
ENV_HF_ENDPOINT = "HF_ENDPOINT"
ENV_HF_TOKEN = "HF_TOKEN"
ENV_HF_TOKEN_LEGACY = "HUGGING_FACE_HUB_TOKEN"
ENV_HF_TOKEN_PATH = "HF_TOKEN_PATH"
ENV_HF_HOME = "HF_HOME"
HF_TOKEN_FILE = "hf_token"  # the token set in Settings (state dir, mode 0600)
HF_LISTING_TTL_S = 24 * 3600  # listings and repo info are re-fetched after a day
HF_SEARCH_LIMIT = 10  # candidate repos asked for per search
HF_SEARCHES_PER_MODEL = 2  # the name, then the name without its last word (or a hint)
HF_CANDIDATES = 3  # candidate repos whose listings are fetched (by downloads, then name)
HF_MAX_REQUESTS_PER_FILE = 4  # a lookup gives up on a file after this many requests
HF_FUZZY_MIN_SCORE = 70.0  # rapidfuzz token_set_ratio for a "filename_fuzzy" candidate
DOWNLOAD_BUFFER_BYTES = 1024 * 1024  # what a stalled or killed download may lose at most
DOWNLOAD_ATTEMPTS = 8  # network failures of one file's download before the job gives up
DOWNLOADS_DIR = "downloads"  # <state>/downloads/<owner--name>@<revision>/<path>: partials
ADOPT_DIR = "adopt"  # <state>/adopt/<owner--name>@<commit>/<name>/: links to an HF cache's blobs
ENV_HF_HUB_CACHE = ("HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE")  # where an HF hub cache is
HF_CACHE_TREE_MAX_BYTES = 64 * 1024 * 1024  # a trees/<commit>.json larger than this is ignored

# --- CLI -----------------------------------------------------------------------------------
CLI_JOB_CHECK_INTERVAL_S = 1.0  # safety-net check of a waited job's status in ops.db
CLI_PROGRESS_REFRESH_PER_S = 10
CLI_PIPED_WIDTH = 160  # columns for human tables when stdout is not a terminal
# Crash tests: the importer stops (and says so on stderr) at a named point — see library/pause.py
ENV_TEST_PAUSE = "TENSORSHELF_TEST_PAUSE_AT"  # "<point>" or "<point>@<n>" (n-th time reached)
TEST_PAUSE_MARKER = "tensorshelf-test-pause:"
TEST_PAUSE_SLEEP_S = 3600.0
ENV_TEST_RESUME = "TENSORSHELF_TEST_RESUME_FILE"  # a paused process goes on once this file exists
TEST_RESUME_CHECK_S = 0.02
INDEX_CHECKPOINT_BUSY_MS = 1_000  # a TRUNCATE checkpoint waits at most this long for readers
WEB_LISTEN_BACKLOG = 128  # pending connections the web-mode socket queues
GGUF_VECTOR_MIN_STRINGS = 4096  # GGUF string arrays at least this long are stepped over with numpy
GGUF_VECTOR_MIN_BUFFER_BYTES = (
    16 * 1024
)  # smaller buffers of GGUF strings are walked by a plain loop
# Many headers at once (library/detect_pool.py: plan_import, `inspect DIR`): worker processes
DETECT_POOL_MIN_TARGETS = 24  # fewer targets are detected in-process (a pool's start-up costs more)
DETECT_POOL_MAX_WORKERS = 8  # at most this many worker processes (and never more than the cores)
DETECT_POOL_CHUNK_MAX = 32  # targets sent to a worker at once (fewer when a batch is small)
DETECT_POOL_CHUNKS_PER_WORKER = 4  # a batch is cut into about this many chunks per worker
PICKLE_SCAN_MAX_GLOBALS = 256  # distinct pickle globals collected per file for the safety scan
PICKLE_SCAN_MAX_STREAMS = 8  # pickle members of one zip checkpoint walked for the safety scan
