"""Grants and row-level security: what each group role may read and write.

Row-level security is FORCEd, so the table owner's own functions obey the policies too;
the owner role appears in them explicitly where its functions must see every row.
"""

PRIVILEGES = r"""
REVOKE ALL ON SCHEMA earmark FROM PUBLIC;
GRANT USAGE ON SCHEMA earmark TO earmark_annotator;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA earmark FROM PUBLIC;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA earmark TO earmark_annotator;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA earmark TO earmark_annotator;

GRANT SELECT ON meta, batches, clips, lexicon, users TO earmark_annotator;
GRANT INSERT, UPDATE ON meta TO earmark_lead;
GRANT SELECT, INSERT ON secret TO earmark_lead;
GRANT INSERT, UPDATE ON batches, clips, lexicon TO earmark_lead;
GRANT DELETE ON clips, slots, drafts, revisions, flags, escalations, plays TO earmark_lead;
GRANT INSERT (name, joined_at) ON users TO earmark_annotator;
GRANT UPDATE, INSERT ON users TO earmark_lead;
GRANT UPDATE (unplayable_reason) ON clips TO earmark_annotator;
GRANT SELECT ON slots, revisions TO earmark_annotator;
GRANT INSERT ON slots TO earmark_lead;
GRANT SELECT, INSERT, UPDATE, DELETE ON drafts TO earmark_annotator;
GRANT SELECT, INSERT ON flags, flag_notes, escalations TO earmark_annotator;
GRANT UPDATE (start, "end", category, redact) ON flags TO earmark_annotator;
GRANT UPDATE (note) ON flag_notes TO earmark_annotator;
GRANT UPDATE ON flags, escalations TO earmark_reviewer;
GRANT SELECT ON audit TO earmark_reviewer;
GRANT SELECT, INSERT ON plays TO earmark_annotator;
GRANT SELECT, INSERT, DELETE ON opt_outs TO earmark_annotator;

ALTER TABLE slots ENABLE ROW LEVEL SECURITY;
ALTER TABLE slots FORCE ROW LEVEL SECURITY;
CREATE POLICY own ON slots FOR SELECT
  USING (annotator = session_user OR (SELECT is_staff()) OR current_user = 'earmark_owner');
CREATE POLICY owner ON slots FOR ALL USING (current_user = 'earmark_owner');
CREATE POLICY lead ON slots FOR ALL USING ((SELECT is_lead()));
ALTER TABLE revisions ENABLE ROW LEVEL SECURITY;
ALTER TABLE revisions FORCE ROW LEVEL SECURITY;
CREATE POLICY own ON revisions FOR SELECT
  USING (annotator = session_user OR (SELECT is_staff()) OR current_user = 'earmark_owner');
CREATE POLICY add ON revisions FOR INSERT WITH CHECK (current_user = 'earmark_owner');
CREATE POLICY purge ON revisions FOR DELETE USING ((SELECT is_lead()));
ALTER TABLE drafts ENABLE ROW LEVEL SECURITY;
ALTER TABLE drafts FORCE ROW LEVEL SECURITY;
CREATE POLICY own ON drafts FOR ALL
  USING (annotator = session_user OR current_user = 'earmark_owner')
  WITH CHECK (annotator = session_user OR current_user = 'earmark_owner');
CREATE POLICY lead ON drafts FOR DELETE USING ((SELECT is_lead()));
ALTER TABLE flag_notes ENABLE ROW LEVEL SECURITY;
ALTER TABLE flag_notes FORCE ROW LEVEL SECURITY;
CREATE POLICY own ON flag_notes FOR ALL
  USING (raised_by = session_user OR (SELECT is_staff()) OR current_user = 'earmark_owner')
  WITH CHECK (raised_by = session_user OR current_user = 'earmark_owner');
ALTER TABLE escalations ENABLE ROW LEVEL SECURITY;
ALTER TABLE escalations FORCE ROW LEVEL SECURITY;
CREATE POLICY own ON escalations FOR SELECT
  USING (raised_by = session_user OR (SELECT is_staff()) OR current_user = 'earmark_owner');
CREATE POLICY raise ON escalations FOR INSERT
  WITH CHECK (raised_by = session_user OR current_user = 'earmark_owner');
CREATE POLICY review ON escalations FOR UPDATE USING ((SELECT is_staff()));
CREATE POLICY purge ON escalations FOR DELETE USING ((SELECT is_lead()));
ALTER TABLE plays ENABLE ROW LEVEL SECURITY;
ALTER TABLE plays FORCE ROW LEVEL SECURITY;
CREATE POLICY own ON plays FOR SELECT
  USING (who = session_user OR (SELECT is_staff()) OR current_user = 'earmark_owner');
CREATE POLICY add ON plays FOR INSERT
  WITH CHECK (who = session_user OR current_user = 'earmark_owner');
CREATE POLICY purge ON plays FOR DELETE USING ((SELECT is_lead()));
ALTER TABLE opt_outs ENABLE ROW LEVEL SECURITY;
ALTER TABLE opt_outs FORCE ROW LEVEL SECURITY;
CREATE POLICY own ON opt_outs FOR ALL
  USING (who = session_user OR current_user = 'earmark_owner');
ALTER TABLE flags ENABLE ROW LEVEL SECURITY;
ALTER TABLE flags FORCE ROW LEVEL SECURITY;
CREATE POLICY readable ON flags FOR SELECT USING (true);
CREATE POLICY raise ON flags FOR INSERT
  WITH CHECK (raised_by = session_user OR current_user = 'earmark_owner');
CREATE POLICY change ON flags FOR UPDATE
  USING (raised_by = session_user OR (SELECT is_staff()) OR current_user = 'earmark_owner');
CREATE POLICY remove ON flags FOR DELETE USING ((SELECT is_lead()));
"""
