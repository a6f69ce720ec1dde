"""Operations: structured logs (``logs``), the health and Prometheus endpoint of ``doithoai run``
(``server``, ``metrics``), and ``doithoai doctor`` (``doctor``). Importing the package loads none of
them."""
