"""The demo programme: a coherent, realistic support-journey programme for newcomers and demos."""

from tracker.demo.loader import DemoLogin, load_demo, programme_is_empty

__all__ = ["DemoLogin", "load_demo", "programme_is_empty"]
