// ListStore: placeholder until its first real file lands; remove then.
