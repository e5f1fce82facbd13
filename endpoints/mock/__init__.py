"""A local mock LLM provider speaking the OpenAI, Anthropic, Gemini and Bedrock wire formats.

See docs/mock-provider.md. Tests use the `mock_provider` fixture; developers run
`python manage.py mockprovider --port N`.
"""

from .behaviour import Behaviour, Countdown, Failure, RecordedRequest
from .server import MockProvider

__all__ = ["Behaviour", "Countdown", "Failure", "MockProvider", "RecordedRequest"]
