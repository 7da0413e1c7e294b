-- The routing feed reads its own tags (issue 12): the conversation events with effects on other entities (Opened,
-- AgentJoined, Transferred, Closed) carry 'routing-<slice>' besides 'conversation-<slice>', so that the feed no
-- longer reads every message. A feed that ran on the 'conversation-<slice>' tags moves over without missing or
-- repeating anything: the events of those kinds it had not delivered yet (after its stored offset of that slice,
-- or all of them where it stored none) get the new tag, and its offsets move to the new keys. The offsets are the
-- journal's global ordering, so the same number means the same place under either tag. Older events keep their
-- one tag: everything up to the stored offset was delivered already.
INSERT INTO event_tag (event_id, tag)
SELECT t.event_id, 'routing-' || substring(t.tag FROM char_length('conversation-') + 1)
FROM event_tag t
JOIN event_journal j ON j.ordering = t.event_id
LEFT JOIN pekko_projection_offset_store o
    ON o.projection_name = 'routing-feed' AND o.projection_key = t.tag
WHERE t.tag LIKE 'conversation-%'
  AND j.event_ser_manifest IN (
      'dev.parley.core.conversation.Conversation$Opened',
      'dev.parley.core.conversation.Conversation$AgentJoined',
      'dev.parley.core.conversation.Conversation$Transferred',
      'dev.parley.core.conversation.Conversation$Closed')
  AND (o.current_offset IS NULL OR t.event_id > CAST(o.current_offset AS BIGINT))
ON CONFLICT DO NOTHING;

INSERT INTO pekko_projection_offset_store
    (projection_name, projection_key, current_offset, manifest, mergeable, last_updated)
SELECT o.projection_name, 'routing-' || substring(o.projection_key FROM char_length('conversation-') + 1),
       o.current_offset, o.manifest, o.mergeable, o.last_updated
FROM pekko_projection_offset_store o
WHERE o.projection_name = 'routing-feed' AND o.projection_key LIKE 'conversation-%'
ON CONFLICT DO NOTHING;

DELETE FROM pekko_projection_offset_store
WHERE projection_name = 'routing-feed' AND projection_key LIKE 'conversation-%';
