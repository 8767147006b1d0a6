"""What the import-time scenario imports for the floor: langchain-core's chat model base and httpx.

A module, not a string run with exec(), so that the floor is imported the way any
adapter package is (from a module, one level down). The same two lines cost more
when imported from a module than when exec'd at top level (the allocator sees a
different pattern: ~19,000 vs ~14,600 page faults here), and that difference is the
harness's, not the adapter's.
"""

import httpx  # noqa: F401
from langchain_core.language_models.chat_models import BaseChatModel  # noqa: F401
