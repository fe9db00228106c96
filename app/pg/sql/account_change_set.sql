-- An accounts UPDATE re-credits the settled facts of the accounts whose collector changed (a settlement counts
-- for the account's collector now). EXCEPT of the (id, collector) sets finds them by hashing or sorting, whatever
-- join settings the writer runs under (transition tables have no index; the importer turns hash and merge joins
-- off); a row is updated at most once per statement, and EXCEPT treats NULLs as equal, as IS DISTINCT FROM does.

CREATE OR REPLACE FUNCTION accounts_collectors_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM collector_facts_refresh(ARRAY[{{fact_settled}}], ARRAY(
    SELECT id FROM (SELECT id, assigned_collector_id FROM new_rows
                    EXCEPT SELECT id, assigned_collector_id FROM old_rows) changed
  ));
  RETURN NULL;
END $$;

CREATE OR REPLACE TRIGGER accounts_collectors_update AFTER UPDATE ON accounts
  REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION accounts_collectors_update();
