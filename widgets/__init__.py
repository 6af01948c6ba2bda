"""One widget per pane or chart; renders result objects, no I/O and no maths."""
