-- The web role may use the id sequences; row-level security alone decides which rows it may write.
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO drsocial_web;
