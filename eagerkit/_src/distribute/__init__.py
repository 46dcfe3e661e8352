"""``ek.distribute``: TF's distribution strategies on JAX's SPMD sharding and multi-process runtime."""
