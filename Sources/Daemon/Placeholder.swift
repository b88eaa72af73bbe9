// placeholder until the run loop lands
