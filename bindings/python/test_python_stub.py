"""test_python_stub.py — escalate.pyi describes the module as it is: every
public name is in the stub and every name in the stub exists; the classes
have the same public members; methods and functions take the same
parameters.  (A small stdlib stand-in for mypy's stubtest.)"""

import ast
import dataclasses
import inspect
import os
import unittest

import escalate

STUB = os.path.join(os.path.dirname(os.path.abspath(__file__)), "escalate.pyi")
# Names the stub declares for its own annotations only.
STUB_ONLY = {"TimeLike", "PersonLike", "_CEnum"}


def stub_tree():
    with open(STUB, encoding="utf-8") as source:
        return ast.parse(source.read(), STUB)


def top_level(tree):
    names = {}
    for node in tree.body:
        if isinstance(node, (ast.ClassDef, ast.FunctionDef)):
            names[node.name] = node
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                names[target.id] = node
        elif isinstance(node, ast.AnnAssign):
            names[node.target.id] = node
    return names


def members(node):
    """Public members a stub class declares (methods, properties, fields)."""
    found = {}
    for item in node.body:
        if isinstance(item, ast.FunctionDef):
            found[item.name] = item
        elif isinstance(item, ast.AnnAssign):
            found[item.target.id] = item
        elif isinstance(item, ast.Assign):
            for target in item.targets:
                found[target.id] = item
    return {name: item for name, item in found.items()
            if not name.startswith("_") or name in ("__init__", "__enter__", "__exit__")}


def stub_parameters(function):
    args = function.args
    names = [a.arg for a in args.posonlyargs + args.args + args.kwonlyargs]
    if args.vararg:
        names.append("*" + args.vararg.arg)
    if args.kwarg:
        names.append("**" + args.kwarg.arg)
    return [n for n in names if n not in ("self", "cls")]


def runtime_parameters(function):
    names = []
    for p in inspect.signature(function).parameters.values():
        prefix = {p.VAR_POSITIONAL: "*", p.VAR_KEYWORD: "**"}.get(p.kind, "")
        names.append(prefix + p.name)
    return [n for n in names if n not in ("self", "cls")]


def runtime_members(cls):
    """What an object of cls has: class attributes, dataclass and NamedTuple
    fields, and (for Database) what __init__ sets."""
    names = set(dir(cls))
    if dataclasses.is_dataclass(cls):
        names |= {field.name for field in dataclasses.fields(cls)}
    if cls is escalate.Database:
        with escalate.Database(":memory:", create=True) as db:
            names |= set(vars(db))
    return names


class TestStub(unittest.TestCase):

    def setUp(self):
        self.assertTrue(os.path.isfile(STUB), STUB)
        self.names = top_level(stub_tree())

    def declared(self, node):
        """Members a stub class declares, with those of its stub bases."""
        found = {}
        for base in node.bases:
            if isinstance(base, ast.Name) and base.id in self.names:
                found.update(self.declared(self.names[base.id]))
        found.update(members(node))
        return found

    def test_same_public_names(self):
        public = set(escalate.__all__) | {"__version__"}
        self.assertEqual(set(self.names) - STUB_ONLY, public)
        for name in public:
            self.assertTrue(hasattr(escalate, name), name)

    def test_same_class_members(self):
        for name, node in self.names.items():
            if not isinstance(node, ast.ClassDef) or name in STUB_ONLY:
                continue
            runtime = getattr(escalate, name)
            declared = self.declared(node)
            with self.subTest(cls=name):
                real = runtime_members(runtime)
                for member in declared:
                    self.assertTrue(member in real or hasattr(runtime, member),
                                    f"{name}.{member} is not real")
                # What the class itself adds (not what Exception, IntEnum,
                # tuple or object give every such class).
                own = set().union(*(vars(k) for k in runtime.__mro__
                                    if k.__module__ == "escalate"))
                if dataclasses.is_dataclass(runtime):
                    own |= {field.name for field in dataclasses.fields(runtime)}
                undeclared = {m for m in own if not m.startswith("_")} - set(declared)
                if issubclass(runtime, BaseException):
                    undeclared -= {"code"}          # the class's status code, typed on Error
                self.assertEqual(undeclared, set(),
                                 f"{name} has members the stub does not declare")

    def test_same_parameters(self):
        for name, node in self.names.items():
            runtime = getattr(escalate, name, None)
            if isinstance(node, ast.FunctionDef):
                self.assertEqual(stub_parameters(node), runtime_parameters(runtime), name)
            if isinstance(node, ast.ClassDef) and name in ("Database", "Escalation"):
                for member, item in members(node).items():
                    if not isinstance(item, ast.FunctionDef):
                        continue
                    attribute = inspect.getattr_static(runtime, member)
                    if not isinstance(attribute, property):
                        with self.subTest(method=f"{name}.{member}"):
                            self.assertEqual(stub_parameters(item),
                                             runtime_parameters(getattr(runtime, member)))


if __name__ == "__main__":
    unittest.main()
