"""Reading the hand-written permission tables: one row per role, one column per phase.

Each app's permission test writes its own table out by hand (so a rule change has
to be made twice on purpose); this module only reads the tables the same way.
"""

from __future__ import annotations

from collections.abc import Iterable

from workshops.phases import Phase, Role

PHASE_COLUMNS = (
    Phase.LOBBY,
    Phase.IDEATE,
    Phase.GROUP,
    Phase.VOTE,
    Phase.RESULTS,
    Phase.PROPOSE,
    Phase.CLOSED,
)


def outcome(table: dict[str, dict[Role, str]], action: str, role: Role, phase: Phase) -> str:
    """The letter the table gives this action, for this role, in this phase."""
    row = table[action][role].split()
    assert len(row) == len(PHASE_COLUMNS), f"table row for {action}/{role} is not 7 wide"
    return row[PHASE_COLUMNS.index(phase)]


def assert_table_complete(
    table: dict[str, dict[Role, str]], actions: Iterable[str], letters: set[str]
) -> None:
    """Every action has a row for every role, and every cell is one of the letters."""
    assert set(table) == set(actions)
    assert len(PHASE_COLUMNS) == len(Phase) == 7
    for action, rows in table.items():
        assert set(rows) == set(Role), action
        for role in Role:
            for phase in Phase:
                assert outcome(table, action, role, phase) in letters
