"""Who may use the dashboard and what they did: users, roles and passwords (`users`,
`passwords`) and the audit log (`audit`), all kept in the warehouse.

    from xieshang.access import User, audit
"""

from xieshang.access.users import ROLES, AccessError, User

__all__ = ["ROLES", "AccessError", "User"]
