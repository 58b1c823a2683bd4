-- 0033: two costs of writing a person, paid ~1M times in a 1M-record load (~600k inserts under the
-- resolution lock, ~400k golden-record refreshes), cut without changing any stored value.
--
-- (1) registry_fold: a name the resolver writes is nearly always folded already (upper-case ASCII
-- words, single spaces, no particle). For such a value the two regular-expression replacements
-- change nothing, so a cheap test — one match of the folded shape, one of the particle words —
-- returns it as it is; anything else (accents, punctuation, lower case, particles, doubled or
-- trailing spaces) takes 0023's path. persons.search_name: 4.7 → 2.1 µs a person. Every value is the
-- same (FoldTests compares it with 0006's definition), so the indexes and stored names stay valid.
-- No longer declared STRICT: the planner inlines a strict SQL function only when its body is strict,
-- which a CASE is not; a NULL still folds to NULL (every branch of the body returns NULL for it).
CREATE OR REPLACE FUNCTION registry_fold(value text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE CALLED ON NULL INPUT AS $$
    SELECT CASE WHEN upper(value) ~ '^[A-Z0-9]+( [A-Z0-9]+)*$'
                 AND ' ' || upper(value) || ' ' !~ ' (D(E|EL|A|I)|L(AS?|OS)|Y|V[AO]N) '
                THEN upper(value)
                ELSE btrim(regexp_replace(
                         regexp_replace(' ' || translate(upper(value), 'ÁÀÂÄÉÈÊËÍÌÎÏÓÒÔÖÚÙÛÜÑÇ', 'AAAAEEEEIIIIOOOOUUUUNC') || ' ', '[^A-Z0-9]+', ' ', 'g'),
                         ' ((D(E|EL|A|I)|L(AS?|OS)|Y|V[AO]N) )+', ' ', 'g')) END
$$;

-- (2) persons.golden stored as json (the text as the resolver wrote it), as 0032 did for evidence.
-- Each golden document (~750 bytes, seven fields each naming its source record) was parsed into
-- jsonb's binary form when staged, when a person of several records was created and at every refresh;
-- json only validates the text. Readers are unchanged: the API reads the document as text (person
-- page, lineage) or one field with ->/->> (review), which json has too. The refresh compares documents
-- as text (json has no equality): the resolver writes one field order, so an unchanged record is
-- still not rewritten — except once for documents stored before this migration, in jsonb's layout.
ALTER TABLE persons ALTER COLUMN golden TYPE json USING golden::json;
