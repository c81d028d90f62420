import unittest

from plugin_supervisor import Plugin
from plugin_supervisor._errors import describe
from plugin_supervisor._routes import Routes


def first(event, ctx):
    return None


def second(event, ctx):
    return None


class Routing(unittest.TestCase):
    def test_named_handlers_alone_handle_only_their_names_and_describe_lists_them(self):
        routes = Routes(None, (), {"a": first, "b": second})
        self.assertIs(first, routes.find("a"))
        self.assertIsNone(routes.find("c"))
        self.assertEqual(["a", "b"], routes.event_names)
        self.assertIn("it handles: a, b", routes.unknown_event_message("p", "c"))

    def test_a_catch_all_handler_takes_every_other_event_and_describe_lists_none(self):
        routes = Routes(second, (), {"a": first})
        self.assertIs(first, routes.find("a"))
        self.assertIs(second, routes.find("anything"))
        self.assertEqual([], routes.event_names)

    def test_declared_names_limit_the_catch_all_handler(self):
        routes = Routes(second, ["x", "y"], {})
        self.assertIs(second, routes.find("x"))
        self.assertIsNone(routes.find("z"))
        self.assertEqual(["x", "y"], routes.event_names)

    def test_an_event_name_registered_twice_is_refused(self):
        plugin = Plugin()
        plugin.on("a")(first)
        with self.assertRaisesRegex(ValueError, "event 'a' already has a handler"):
            plugin.on("a")(second)

    def test_a_plugin_without_handlers_is_refused_before_it_serves(self):
        with self.assertRaisesRegex(ValueError, "the plugin has no handler"):
            Plugin().run()


class ErrorNames(unittest.TestCase):
    def test_an_exception_is_named_by_its_class_name_then_its_message(self):
        self.assertEqual("ValueError: bad", describe(ValueError("bad")))
        self.assertEqual("JSONDecodeError: x: line 1 column 1 (char 0)",
                         describe(__import__("json").JSONDecodeError("x", "", 0)))
        self.assertEqual("RuntimeError", describe(RuntimeError()))


if __name__ == "__main__":
    unittest.main()
