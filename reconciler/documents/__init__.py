"""Reading documents safely: the hardened YAML reader and the JSON Schema checks with located,
readable findings, shared by the lab's files (``lab/``) and the emulators' seeds. It imports
nothing of the product, so the emulators, which are siblings of the product, may use it.
"""
