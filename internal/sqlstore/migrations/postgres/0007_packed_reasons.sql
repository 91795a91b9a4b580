-- The reasons of codes and code changes are stored as zlib-compressed JSON;
-- those stored before as JSON text are read as they are.
ALTER TABLE codes ALTER COLUMN reasons TYPE bytea USING convert_to(reasons, 'UTF8');
ALTER TABLE code_changes ALTER COLUMN reasons TYPE bytea USING convert_to(reasons, 'UTF8');
