from django.apps import AppConfig


class SeedConfig(AppConfig):
    """Demo and benchmark data, and the commands that make it (decision 0007). It sits above
    every other app: it calls their services and bulk paths, and nothing imports it."""

    name = "sangkien.seed"
    label = "seed"
