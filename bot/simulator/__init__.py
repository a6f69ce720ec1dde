"""Local fakes of the chat platforms' HTTP APIs, used by the tests and by ``doithoai demo``."""
