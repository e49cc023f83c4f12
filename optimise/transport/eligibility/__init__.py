"""Who is entitled to free home-to-school transport (``assess``), and the job that reads a
council's files and writes the result (``run``)."""
