package dev.prefer.reward.source;

import java.util.List;

/** A source whose natural unit is many groups at once (a model's batch, a judge's concurrent requests): one group is a batch of one. */
public interface BatchedSource extends RewardSource {

    @Override
    List<GroupScores> scoreAll(List<Group> groups);

    @Override
    default GroupScores score(Group group) {
        return scoreAll(List.of(group)).get(0);
    }
}
