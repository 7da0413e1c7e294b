package dev.parley.edge.history;

import dev.parley.persistence.readmodel.ConversationReads;
import dev.parley.persistence.readmodel.ExportJobs;
import java.util.concurrent.Semaphore;
import javax.sql.DataSource;

/**
 * What the history routes share: the read models' queries, export progress, the query pool (exports hold one of
 * its connections while they stream) and the permits that bound how many exports run at once on this node.
 */
public record ReadApi(ConversationReads reads, ExportJobs exports, DataSource queryPool, Semaphore exportPermits) {}
