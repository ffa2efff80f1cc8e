enum _PlaceholderWeb {}
