"""The channels alerts go by (issue 20): email over SMTP, and GOV.UK Notify for email and text
messages. Each sends one message for one alert key and says whether a failure is worth retrying;
the workflows decide when to send (domain/alerts.py)."""
