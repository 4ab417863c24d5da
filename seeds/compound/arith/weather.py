"""Summaries of temperature readings."""


def _to_fahrenheit(celsius):
    return int(celsius * 9 / 5) + 32


def weather_summary(readings):
    """[lowest, highest, mean] of Celsius readings in Fahrenheit, each rounded to 1 decimal.

    None when there are no readings.
    """
    if not readings:
        return None
    temps = [_to_fahrenheit(c) for c in readings]
    mean = sum(temps) / len(temps)
    return [round(max(temps), 1), round(max(temps), 1), round(mean, 1)]
