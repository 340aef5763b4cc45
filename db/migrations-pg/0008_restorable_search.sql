-- pg_restore (agentdesk restore) runs with an empty search_path, and the messages', outputs' and
-- instructions' fts_pairs columns are computed while their rows are loaded: 0005 wrote
-- agentdesk_fts_pairs and the two query functions with string bodies, whose names (agentdesk_fts_words,
-- the configuration 'ad_simple') are looked up when they run, so a restore failed ("function
-- agentdesk_fts_words(text) does not exist"). The same functions with SQL-standard bodies: PostgreSQL
-- resolves their names when they are created and pg_dump writes them schema-qualified. What they
-- compute is unchanged (the stored vectors stay valid).
CREATE OR REPLACE FUNCTION agentdesk_fts_pairs(t text) RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN (
    SELECT coalesce(array_to_tsvector(array_agg(DISTINCT a.l || ' ' || b.l)), ''::tsvector)
    FROM (SELECT lexeme AS l, unnest(positions) AS p FROM unnest(to_tsvector('ad_simple', agentdesk_fts_words(coalesce(t, ''))))) a
    JOIN (SELECT lexeme AS l, unnest(positions) AS p FROM unnest(to_tsvector('ad_simple', agentdesk_fts_words(coalesce(t, ''))))) b ON b.p = a.p + 1
  );
--> statement-breakpoint
CREATE OR REPLACE FUNCTION agentdesk_fts_query(t text, prefix boolean) RETURNS tsquery LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
  RETURN (
    SELECT CASE
      WHEN NOT prefix OR cardinality(w) = 0 THEN phraseto_tsquery('ad_simple', array_to_string(w, ' '))
      WHEN cardinality(w) = 1 THEN to_tsquery('ad_simple', quote_literal(w[1]) || ':*')
      ELSE tsquery_phrase(phraseto_tsquery('ad_simple', array_to_string(w[1:cardinality(w) - 1], ' ')), to_tsquery('ad_simple', quote_literal(w[cardinality(w)]) || ':*'))
    END
    FROM (SELECT coalesce(regexp_split_to_array(nullif(btrim(agentdesk_fts_words(t)), ''), ' '), '{}') AS w) x
  );
--> statement-breakpoint
CREATE OR REPLACE FUNCTION agentdesk_fts_pairs_query(t text) RETURNS tsquery LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
  RETURN (SELECT string_agg(quote_literal(lexeme), ' & ')::tsquery FROM unnest(agentdesk_fts_pairs(t)));
