"""The app `safeguard serve` runs under uvicorn (an import string, so uvicorn can start workers)."""

from bootstrap import open_records
from configuration.logging import configure_logging
from configuration.settings import get_settings
from web.app import create_app

configure_logging(get_settings().log_format)
# serving: keys wrapped under a master-key version not configured here are refused at start, by version
app = create_app(get_settings(), records=open_records(get_settings(), serving=True))
