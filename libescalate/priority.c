/*
 * priority.c — priority from impact × urgency (an ITIL-style matrix the host
 * may replace per handle), raised one step for VIP and churn-risk customers.
 */
#include "internal.h"

/* Rows: impact 1 (individual) .. 4 (business-wide); columns: urgency 1 (can
 * wait) .. 4 (now).  1 is the highest priority, 5 the lowest. */
const int esc__default_priority_matrix[ESC_PRIORITY_MATRIX_CELLS] = {
    5, 5, 4, 3,   /* impact 1 */
    5, 4, 3, 2,   /* impact 2 */
    4, 3, 2, 1,   /* impact 3 */
    3, 2, 1, 1,   /* impact 4 */
};

int esc__priority(const esc_db *db, int impact, int urgency, int vip, int churn_risk)
{
    if (impact < 1 || impact > 4 || urgency < 1 || urgency > 4)
        return ESC_EINVAL;
    const int *matrix = db ? db->priority_matrix : esc__default_priority_matrix;
    int priority = matrix[(impact - 1) * 4 + (urgency - 1)];
    /* One raise whatever the number of reasons: a VIP who also threatens to
     * leave is still one step more urgent, not two. */
    if ((vip || churn_risk) && priority > 1)
        priority--;
    return priority;
}

ESC_EXTERN(int) esc_priority_compute(const esc_db *db, int impact, int urgency, int vip,
                                     int churn_risk)
{
    return esc__priority(db, impact, urgency, vip, churn_risk);
}

ESC_EXTERN(int) esc_db_set_priority_matrix(esc_db *db, const int *matrix)
{
    if (db == NULL)
        return ESC_EINVAL;
    esc__clear_error(db);
    const int *source = matrix ? matrix : esc__default_priority_matrix;
    for (int i = 0; i < ESC_PRIORITY_MATRIX_CELLS; i++)
        if (source[i] < 1 || source[i] > 5)
            return esc__error(db, ESC_EINVAL, "priority matrix cell %d is %d; cells must be 1..5",
                              i, source[i]);
    for (int i = 0; i < ESC_PRIORITY_MATRIX_CELLS; i++)
        db->priority_matrix[i] = source[i];
    return ESC_OK;
}
