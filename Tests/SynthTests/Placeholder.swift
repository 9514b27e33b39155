// placeholder until this target's first real test lands; remove then.
