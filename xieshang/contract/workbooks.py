"""Names in the workbooks the project and township staff pass back and forth, which the
reader must recognise in a workbook that comes back: the guide sheet of a template, the
column a marked-up rejects workbook adds to the staff's rows, and the document property
by which such a workbook names the file it answers.
"""

from __future__ import annotations

GUIDE_SHEET = "填表说明"
"""A template's sheet that explains its columns: never data, read past silently."""

PROBLEM_COLUMN = "问题"
"""The column a marked-up rejects workbook adds to say what is wrong with each row."""

REPLACES_PROPERTY = "xieshang_replaces"
"""A custom document property (a string): the relative path of the earlier submitted
file that this workbook answers."""

REPLACES_RUN_PROPERTY = "xieshang_replaces_run"
"""A custom document property (a string): the load run whose reading of that file gave
the rows this workbook marks (a path sent every month has a reading per month)."""

REPLACES_AS_OF_PROPERTY = "xieshang_replaces_as_of"
"""A custom document property (a string): the load run after which the workbook was made;
rows of that reading rejected later (a held row, when its meeting came) are not in it."""
