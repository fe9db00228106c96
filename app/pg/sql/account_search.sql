-- account_search holds each account's search text and collector again, the text under the search box's trigram
-- index (see app.accounts.models.AccountSearch for why it is not on accounts). These triggers keep it equal to
-- the account: a copy of each inserted account, the new values where an update changed either (the WHEN clause is
-- checked without calling the function, so an update that leaves both alone, as a refresh file's does, costs
-- nothing here), and the row gone with its account.

CREATE OR REPLACE FUNCTION account_search_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO account_search (account_id, agency_id, search_text, assigned_collector_id)
  SELECT id, agency_id, search_text, assigned_collector_id FROM new_rows;
  RETURN NULL;
END $$;

CREATE OR REPLACE TRIGGER account_search_insert AFTER INSERT ON accounts
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION account_search_insert();

CREATE OR REPLACE FUNCTION account_search_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE account_search SET search_text = NEW.search_text, assigned_collector_id = NEW.assigned_collector_id
  WHERE account_id = NEW.id;
  RETURN NULL;
END $$;

CREATE OR REPLACE TRIGGER account_search_update AFTER UPDATE OF search_text, assigned_collector_id ON accounts
  FOR EACH ROW WHEN (OLD.search_text IS DISTINCT FROM NEW.search_text
                     OR OLD.assigned_collector_id IS DISTINCT FROM NEW.assigned_collector_id)
  EXECUTE FUNCTION account_search_update();

CREATE OR REPLACE FUNCTION account_search_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM account_search s USING old_rows o WHERE s.account_id = o.id;
  RETURN NULL;
END $$;

CREATE OR REPLACE TRIGGER account_search_delete AFTER DELETE ON accounts
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION account_search_delete();
