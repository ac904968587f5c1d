"""The fake API's sample data: recorded facts (``facts.json``) plus a seeded generator.

``sample_data_dir()`` is the folder ``FakeAPI`` serves: generated on first use into a cache
folder named after its inputs, reused while they hold. See ``README.md`` beside this file for
what is a recorded fact and what is generated sample text.
"""

from enrich.sandbox.sample.generate import (
    CACHE_ENV,
    FACTS_PATH,
    LABEL,
    generate,
    load_facts,
    sample_data_dir,
)

__all__ = ["CACHE_ENV", "FACTS_PATH", "LABEL", "generate", "load_facts", "sample_data_dir"]
