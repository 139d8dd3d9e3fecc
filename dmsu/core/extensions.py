"""Flask extensions, created once and bound in ``create_app``."""

from flask_htmx import HTMX
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

csrf = CSRFProtect()
login_manager = LoginManager()
htmx = HTMX()
# No storage here: each app's init_app reads DMSU_RATELIMIT_STORAGE_URI (a storage given to the
# constructor would win over the configuration, and Redis was never used).
limiter = Limiter(key_func=get_remote_address, default_limits=[])
