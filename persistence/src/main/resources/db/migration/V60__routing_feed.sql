-- The routing feed (issue 12): effects of conversations' events on other entities (queue, capacity, agents' and
-- visitors' lists) are delivered by a projection, at least once (RoutingFeedProjection). A journal written before
-- it existed had those effects delivered by the old notifications: the feed starts at the journal's end there,
-- slice by slice, so that nothing old is applied again. A new install has no events and starts from the beginning.
INSERT INTO pekko_projection_offset_store
    (projection_name, projection_key, current_offset, manifest, mergeable, last_updated)
SELECT 'routing-feed', t.tag, CAST(max(t.event_id) AS VARCHAR), 'SEQ', false,
       CAST(extract(epoch FROM now()) * 1000 AS BIGINT)
FROM event_tag t
WHERE t.tag LIKE 'conversation-%'
GROUP BY t.tag
ON CONFLICT DO NOTHING;
