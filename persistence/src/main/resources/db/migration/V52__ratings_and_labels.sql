-- Ratings and labels (issue 11, part 2). The rating list pages by (rated_at, conversation_id), newest first;
-- labels are filled by ConversationsModel from the Conversation's LabelAdded/LabelRemoved events (the column and its
-- GIN index came with V20).
CREATE INDEX read_conversations_rated_idx ON read_conversations (site_id, rated_at DESC, conversation_id DESC)
    WHERE rating IS NOT NULL;
