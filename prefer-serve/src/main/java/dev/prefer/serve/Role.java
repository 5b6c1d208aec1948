package dev.prefer.serve;

/** What a signed-in user may do: annotators vote; admins also manage campaigns, users, exclusions and exports. */
public enum Role { admin, annotator }
