"""The domain: one module per concept, each keeping its own invariants over storage/.
Handlers call it; it never imports them."""
