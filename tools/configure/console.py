# tools.configure.console: the wizard's terminal: progress, warnings, errors and prompts.
# SPDX-License-Identifier: MIT
"""Progress goes to stdout, warnings and errors to stderr, prompts through input/getpass.

``interactive`` is true only on a terminal; the wizard never calls ``ask``,
``secret`` or ``confirm`` otherwise, so scripts and CI never block on stdin.
"""

import getpass
import sys

from .errors import SetupError

MAX_TRIES = 5  # a prompt answered wrongly this often gives up instead of looping


class ConsoleIO:
    def __init__(self, interactive=None, stdout=None, stderr=None):
        self.interactive = sys.stdin.isatty() if interactive is None else interactive
        self.out = stdout or sys.stdout
        self.err = stderr or sys.stderr

    def say(self, text=""):
        print(text, file=self.out, flush=True)

    def warn(self, text):
        print("warning: " + text, file=self.err, flush=True)

    def error(self, exc):
        print("error: " + exc.problem, file=self.err, flush=True)
        if exc.fix:
            print("  fix: " + exc.fix, file=self.err, flush=True)

    def ask(self, question, default=""):
        suffix = " [%s]" % default if default else ""
        answer = input("%s%s: " % (question, suffix)).strip()
        return answer or default

    def secret(self, question):
        return getpass.getpass(question + ": ")

    def confirm(self, question, default=False):
        hint = "[Y/n]" if default else "[y/N]"
        for _ in range(MAX_TRIES):
            answer = input("%s %s " % (question, hint)).strip().lower()
            if not answer:
                return default
            if answer in ("y", "yes"):
                return True
            if answer in ("n", "no"):
                return False
        raise SetupError("no yes/no answer", "answer y or n")
