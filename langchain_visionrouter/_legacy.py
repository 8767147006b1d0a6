"""Old module names, for pickles made before the subpackage layout (0.1): they still load.

A pickle names the module of each class it holds. Objects a user may have pickled
(models, catalog entries, usage, batch items) name these flat modules; each is mapped
to its new home, imported only when a pickle (or old code) asks for it.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
from types import ModuleType

#: Old name -> new home: the modules whose classes can be in a pickle.
#: (``_batch`` is a package now, and answers for its old names itself.)
OLD_NAMES = {
    "_batch_ray": "_batch.on_ray",
    "_catalog": "_client.catalog",
    "_clients": "_wire.clients",
    "_image_blocks": "_media.blocks",
    "_model_info": "_router.model_info",
    "_param_types": "_request.param_types",
    "_usage": "_client.usage",
}
_PREFIX = "langchain_visionrouter."


class _Alias(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def find_spec(
        self, fullname: str, path: object = None, target: object = None
    ) -> importlib.machinery.ModuleSpec | None:
        if not fullname.startswith(_PREFIX) or fullname[len(_PREFIX) :] not in OLD_NAMES:
            return None
        return importlib.machinery.ModuleSpec(fullname, self)

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        # The new module itself, under the old name too: classes keep one identity.
        return importlib.import_module(_PREFIX + OLD_NAMES[spec.name[len(_PREFIX) :]])

    def exec_module(self, module: ModuleType) -> None:
        return None


def install() -> None:
    if not any(isinstance(f, _Alias) for f in sys.meta_path):
        sys.meta_path.append(_Alias())
