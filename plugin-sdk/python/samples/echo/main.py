"""The echo sample: returns every event's payload unchanged, with its content type."""

from plugin_supervisor import Reply, run_plugin


def handle_event(event, ctx):
    return Reply(event.payload, event.content_type)


if __name__ == "__main__":
    run_plugin(handle_event)
